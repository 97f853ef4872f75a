import Foundation

/// The report as one self-contained HTML file: styles, script and data inline, nothing
/// fetched (it opens from an email attachment). The script draws the page from the embedded
/// data with text nodes only (no markup from the run reaches the page as HTML); when it has
/// drawn everything it sets `data-rendered="yes"` on the body, and any script error is shown
/// on the page and counted in `data-errors`.
public enum ReportPage {
    public static func html(_ data: ReportData) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(data), as: UTF8.self)
            .replacingOccurrences(of: "<", with: "\\u003c")  // no markup of the run's inside the data element
        let title = data.pipeline.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>cairn report: \(title)</title>
            <style>\(style)</style></head>
            <body data-rendered="no" data-errors="0">
            <div id="errors"></div>
            <header><h1 id="title"></h1><div id="subtitle"></div></header>
            <section id="summary" class="cards"></section>
            <section><h2>Timeline</h2><p class="hint">Scroll to zoom, drag to pan, double-click to reset. One bar per attempt, one lane per slot of a session; coloured by outcome.</p>
            <div id="legend"></div><div id="timeline"></div></section>
            <section><h2>Steps</h2><div id="steps"></div></section>
            <section><h2>Failures</h2><div id="failures"></div></section>
            <section id="trials-section"><h2>Trials</h2><div id="trials"></div></section>
            <section><h2>History</h2><div id="history"></div></section>
            <footer id="footer"></footer>
            <script type="application/json" id="data">\(json)</script>
            <script>\(script)</script>
            </body></html>

            """
    }

    static let style = """
        :root{--fg:#1d232b;--muted:#66707c;--line:#e3e6ea;--bg:#f7f8fa;--card:#fff}
        *{box-sizing:border-box}body{margin:0;padding:24px 32px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
        h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}#subtitle,.hint,footer{color:var(--muted)}.hint{margin:0 0 6px;font-size:12px}
        .cards{display:flex;flex-wrap:wrap;gap:12px;margin-top:16px}.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 14px;min-width:140px}
        .card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:12px}.card.wide{flex:1 1 420px}
        table{border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;width:100%}
        th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600;color:var(--muted);font-size:12px}
        td.num{text-align:right;font-variant-numeric:tabular-nums}
        #timeline{background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden;cursor:grab;user-select:none}
        #legend span{display:inline-block;margin-right:14px;font-size:12px}#legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
        .failure{background:var(--card);border:1px solid var(--line);border-left:4px solid #d2453b;border-radius:6px;padding:8px 12px;margin-bottom:8px}
        .failure pre{margin:6px 0 0;background:#f3f4f6;padding:6px 8px;border-radius:4px;overflow:auto;font-size:12px;max-height:180px}
        .badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;background:#e8eef7;margin-left:8px;vertical-align:3px}
        #errors{color:#b00020;white-space:pre-wrap}.none{color:var(--muted)}
        """

    static let script = #"""
        window.onerror=function(m,s,l){var e=document.getElementById('errors');e.textContent+='script error: '+m+' (line '+l+')\n';document.body.dataset.errors=String(Number(document.body.dataset.errors)+1)};
        (function(){
        var D=JSON.parse(document.getElementById('data').textContent);
        var S=["committed","failed","timed out","interrupted","running","reused","merged"];
        var C=["#2e9d57","#d2453b","#e08a1e","#8a63c9","#3b82c4","#8fc7b3","#5a9bd4"];
        function el(t,a,x){var e=document.createElement(t);if(a)for(var k in a)e.setAttribute(k,a[k]);if(x!=null)e.textContent=x;return e}
        function sv(t,a){var e=document.createElementNS('http://www.w3.org/2000/svg',t);for(var k in a)e.setAttribute(k,a[k]);return e}
        function dur(ms){if(ms==null)return'-';if(ms<1000)return ms+' ms';var s=ms/1000;if(s<60)return s.toFixed(1)+' s';if(s<3600)return Math.floor(s/60)+'m'+Math.round(s%60)+'s';return Math.floor(s/3600)+'h'+Math.floor(s%3600/60)+'m'}
        function bytes(b){if(b==null)return'-';var u=['B','KB','MB','GB','TB'],i=0;while(b>=1024&&i<4){b/=1024;i++}return b.toFixed(i?1:0)+' '+u[i]}
        function table(head,rows,numeric){var t=el('table'),h=el('tr');head.forEach(function(x){h.appendChild(el('th',null,x))});t.appendChild(h);
          rows.forEach(function(r){var tr=el('tr');r.forEach(function(x,i){tr.appendChild(el('td',numeric&&numeric[i]?{'class':'num'}:null,x))});t.appendChild(tr)});return t}
        document.getElementById('title').textContent=D.pipeline;
        document.getElementById('title').appendChild(el('span',{'class':'badge'},D.state));
        document.getElementById('subtitle').textContent=D.runFolder+' · report generated '+D.generated;
        var tl=D.timeline,wall=tl.attempts?tl.end-tl.start:0;
        var cards=[[D.total.committed+' / '+D.total.total,'units committed'],[String(D.total.failed),'failed units'],[String(D.total.running),'running'],
          [String(tl.attempts),'attempts ('+D.failedAttempts+' failed)'],[String(D.sessions.length),'sessions'+(D.slurmWorkers?' + '+D.slurmWorkers+' SLURM tasks':'')],[dur(wall),'first start to last end']];
        var sum=document.getElementById('summary');
        cards.forEach(function(c){var d=el('div',{'class':'card'});d.appendChild(el('b',null,c[0]));d.appendChild(el('span',null,c[1]));sum.appendChild(d)});
        var nx=el('div',{'class':'card wide'});nx.appendChild(el('span',null,'next'));nx.appendChild(el('div',null,D.next));
        var bad=D.sessions.filter(function(s){return s.outcome!=='completed'&&s.outcome!=='running'});
        nx.appendChild(el('div',{'class':'hint'},bad.length?bad.length+' session(s) did not complete: '+bad.map(function(s){return '#'+s.number+' '+s.outcome}).join('; '):'every session completed'));
        sum.appendChild(nx);
        var lg=document.getElementById('legend');S.forEach(function(s,i){var x=el('span');var b=el('i');b.style.background=C[i];x.appendChild(b);x.appendChild(document.createTextNode(s));lg.appendChild(x)});
        // Timeline
        var box=document.getElementById('timeline'),lanes=tl.lanes.length,LH=lanes>60?6:14,LW=220,W=Math.max(600,box.clientWidth||1200),H=lanes*LH+34;
        var v0=0,v1=Math.max(1,wall);
        function draw(){box.textContent='';var svg=sv('svg',{width:W,height:H,viewBox:'0 0 '+W+' '+H});var pw=W-LW-10;
          function X(t){return LW+(t-v0)/(v1-v0)*pw}
          for(var k=0;k<=6;k++){var t=v0+(v1-v0)*k/6,x=X(t);svg.appendChild(sv('line',{x1:x,x2:x,y1:20,y2:H,stroke:'#eef0f3'}));var tx=sv('text',{x:x,y:13,'font-size':10,'text-anchor':k==0?'start':k==6?'end':'middle',fill:'#66707c'});tx.textContent='+'+dur(Math.round(t));svg.appendChild(tx)}
          if(LH>=10)tl.lanes.forEach(function(n,i){var tx=sv('text',{x:4,y:24+i*LH+LH-4,'font-size':10,fill:'#66707c'});tx.textContent=n.length>38?n.slice(0,37)+'…':n;svg.appendChild(tx)});
          var g=sv('g',{});
          if(!tl.aggregated){tl.bars.forEach(function(b){var a=X(b[0]),z=X(b[0]+b[1]);if(z<LW||a>W)return;a=Math.max(a,LW);var r=sv('rect',{x:a,y:22+b[2]*LH,width:Math.max(1,z-a),height:LH-3,fill:C[b[3]],rx:1});
            var ti=sv('title',{});ti.textContent=(b[5]>=0?tl.names[b[5]]:'')+' — '+S[b[3]]+', '+dur(b[1]);r.appendChild(ti);g.appendChild(r)})}
          else{var max=1;tl.buckets.forEach(function(l){l.forEach(function(c){var n=c.reduce(function(a,b){return a+b},0);if(n>max)max=n})});
            tl.buckets.forEach(function(l,li){l.forEach(function(c,bi){var n=c.reduce(function(a,b){return a+b},0);if(!n)return;var a=X(bi*tl.bucketMs),z=X((bi+1)*tl.bucketMs);if(z<LW||a>W)return;a=Math.max(a,LW);
              var worst=c[1]||c[2]?1:c[3]?3:0;var r=sv('rect',{x:a,y:22+li*LH,width:Math.max(1,z-a),height:LH-3,fill:C[worst==0?0:worst],'fill-opacity':0.25+0.75*n/max});
              var ti=sv('title',{});ti.textContent=n+' attempt(s) ended: '+S.map(function(s,i){return c[i]?c[i]+' '+s:''}).filter(Boolean).join(', ');r.appendChild(ti);g.appendChild(r)})})}
          svg.appendChild(g);
          tl.sessions.forEach(function(s){[[s[0],'#3b82c4','session '+s[2]+' starts'],[s[1],s[3]?'#d2453b':'#9aa3ad',s[3]?'session '+s[2]+' stopped':'session '+s[2]+' ends']].forEach(function(m){if(m[0]<0)return;var x=X(m[0]);if(x<LW||x>W)return;
            var ln=sv('line',{x1:x,x2:x,y1:16,y2:H,stroke:m[1],'stroke-dasharray':'4 3','stroke-width':1.2});var ti=sv('title',{});ti.textContent=m[2];ln.appendChild(ti);svg.appendChild(ln)})});
          box.appendChild(svg)}
        draw();
        box.addEventListener('wheel',function(e){e.preventDefault();var r=box.getBoundingClientRect(),f=Math.min(1,Math.max(0,(e.clientX-r.left-LW)/(W-LW-10))),t=v0+(v1-v0)*f,k=e.deltaY<0?0.8:1.25;
          var span=Math.max(10,(v1-v0)*k);v0=t-span*f;v1=v0+span;draw()},{passive:false});
        var drag=null;box.addEventListener('mousedown',function(e){drag=[e.clientX,v0,v1]});window.addEventListener('mouseup',function(){drag=null});
        window.addEventListener('mousemove',function(e){if(!drag)return;var d=(e.clientX-drag[0])/(W-LW-10)*(drag[2]-drag[1]);v0=drag[1]-d;v1=drag[2]-d;draw()});
        box.addEventListener('dblclick',function(){v0=0;v1=Math.max(1,wall);draw()});
        // Steps
        var rows=D.steps.map(function(s){var d=s.durations;return [s.name,s.status.committed+' / '+s.status.total,String(s.status.failed),String(s.attempts),d.count?dur(d.medianMs):'-',d.count?dur(d.p95Ms):'-',d.count?dur(d.maxMs):'-','',
          s.cpuPercent==null?'-':s.cpuPercent.toFixed(0)+'% of a core'+(s.cpusRequested?' (asks '+s.cpusRequested+' CPU'+(s.cpusRequested>1?'s':'')+')':''),s.peakRSS==null?'-':bytes(s.peakRSS)+(s.memoryRequested?' (asks '+bytes(s.memoryRequested)+')':'')]});
        var st=table(['step','committed','failed','attempts','median','p95','max','durations','mean CPU','peak memory'],rows,[0,1,1,1,1,1,1,0,1,1]);
        D.steps.forEach(function(s,i){var h=s.durations.histogram,cell=st.rows[i+1].cells[7];if(!h.length)return;var m=Math.max.apply(null,h),svg=sv('svg',{width:120,height:22});
          h.forEach(function(n,j){if(!n)return;var hh=Math.max(1,20*n/m);svg.appendChild(sv('rect',{x:j*6,y:21-hh,width:5,height:hh,fill:'#3b82c4'}))});cell.appendChild(svg)});
        document.getElementById('steps').appendChild(st);
        // Failures
        var fl=document.getElementById('failures');
        if(!D.failures.length)fl.appendChild(el('p',{'class':'none'},'No unit is failed.'));
        else{fl.appendChild(el('p',{'class':'hint'},D.failedUnits+' unit(s) failed and are not committed'+(D.failedUnits>D.failures.length?' (the first '+D.failures.length+' shown)':'')+'.'));
          D.failures.forEach(function(f){var d=el('div',{'class':'failure'});d.appendChild(el('b',null,f.unit));d.appendChild(el('span',null,' — attempt '+f.attempt+': '+f.reason));
            d.appendChild(el('div',{'class':'hint'},f.log));if(f.tail.length)d.appendChild(el('pre',null,f.tail.join('\n')));fl.appendChild(d)})}
        // Trials
        if(D.trials)document.getElementById('trials').appendChild(table(D.trials.columns,D.trials.rows));else document.getElementById('trials-section').style.display='none';
        // History
        var hr=D.sessions.map(function(s){return ['#'+s.number+(s.merged?' (merged)':''),new Date(s.started).toISOString().replace('T',' ').slice(0,19),dur((s.ended||s.lastActivity)-s.started),s.host,s.user||'-',s.outcome,String(s.commits),String(s.failures),
          s.gitCommit?s.gitCommit.slice(0,10)+(s.gitDirty?' (dirty)':''):'-',s.message||'-',s.command]});
        document.getElementById('history').appendChild(table(['session','started (UTC)','wall','host','user','how it ended','committed','failed','git','message','command'],hr,[0,0,1,0,0,0,1,1,0,0,0]));
        document.getElementById('footer').textContent='cairn report · from the journal of '+D.runFolder;
        document.body.dataset.rendered='yes';
        })();
        """#
}
