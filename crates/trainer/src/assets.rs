//! The page's style and its one small script, served inline with every page: nothing is
//! fetched from elsewhere.
//!
//! The script only adds to forms that work without it: it shows one pane of the manager at
//! a time (the item chosen in the tree, kept for the session's tab), opens the right-click
//! menu (also with the menu key or Shift+F10 on a tree item), asks [OK]/[Cancel] before a
//! button that carries a question (`data-confirm`) acts, and asks for the server in the Move
//! Group dialog. Its words are in the page (the dialogs are rendered in the page's
//! language); it holds none.

/// The style sheet.
pub const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK JP',sans-serif;margin:0;color:#222;font-size:14px;background:#e9edf1}\
html{overflow-wrap:anywhere}header{display:flex;flex-wrap:wrap;gap:.6em;align-items:center;padding:.4em .8em;background:#1f3b57;color:#fff}\
header h1{font-size:16px;margin:0 1em 0 0}header a{color:#fff}.clock{margin:0;font-variant-numeric:tabular-nums}\
#clock{font-weight:bold;font-size:18px}#busy.busy{color:#ffd54f}#busy.quiet{color:#a5d6a7}\
.waits{display:flex;flex-wrap:wrap;gap:.3em}form.act{display:inline}.files form.act,.installer form.act{display:block;margin:.25em 0}nav.lang{margin-left:auto}\
.workspace{display:grid;align-items:start;grid-template-columns:minmax(0,1fr) minmax(230px,300px);gap:.6em;padding:.6em}\
#checklist{background:#fff;border:1px solid #bbb;border-radius:3px;padding:.3em .5em;min-width:0}#checklist h2{font-size:15px;margin:.2em 0}\
#checklist ol{list-style:none;padding:0;margin:0}#checklist li{margin:.25em 0}#checklist li.next{background:#e3f2fd;border-left:4px solid #1565c0;padding:.2em .3em}\
.notes{list-style:none;color:#8a4b00;font-size:12px;margin:.1em 0 .1em 1.4em;padding:0}.step-text{margin-left:1.4em;font-size:12px}.step-text summary{font-weight:normal;color:#1565c0}.step-text p{margin:.2em 0}\
#procedure-notes{font-size:12px;border:1px solid #f9a825;background:#fffde7;padding:.2em .4em;margin-bottom:.4em}#procedure-notes ul{margin:.2em 0;padding-left:1.2em}\
#alerts{margin:.4em .8em;padding:.3em .6em;background:#fdecea;border:2px solid #c62828;color:#8e0000}#alerts h2{font-size:14px;margin:.1em 0}#alerts ul{margin:.2em 0;padding-left:1.2em}\
#hint-box{margin:.4em .8em;padding:.3em .6em;background:#e8f0fe;border:1px solid #1565c0}#hint-box h2{font-size:14px;margin:.1em 0}#hint-box p{margin:.2em 0}\
mark.alert-line{background:#ffcdd2;color:#8e0000;font-weight:bold}.last-error,.last-error-mark{color:#b00020;font-size:12px;white-space:nowrap}#checklist li.done{color:#137333}#checklist li.skipped{color:#888}#checklist li.working{color:#1565c0}.mark{display:inline-block;width:1.3em;font-weight:bold}#checklist b{display:inline-block;min-width:1.6em}\
.hint{color:#555;font-size:12px}\
.window{min-width:0;border:1px solid #7f9db9;border-radius:3px;background:#fff;margin:0 0 .5em}\
.titlebar{font-size:13px;margin:0;padding:3px 8px;color:#fff;background:linear-gradient(#4a7bab,#2a5680);font-weight:bold}.titlebar small{font-weight:normal;opacity:.85}\
.window>:not(.titlebar){margin-left:.5em;margin-right:.5em}.window>table{margin-bottom:.3em}\
.menubar{display:flex;flex-wrap:wrap;align-items:center;gap:.3em;background:#eef2f6;border-bottom:1px solid #c5d3e0;padding:3px 6px;margin:0!important}.menu-title{font-weight:bold;margin-right:.3em}\
.webui-body{display:grid;grid-template-columns:minmax(160px,230px) minmax(0,1fr);margin:0!important;min-height:240px}\
#tree{background:#f5f8fb;border-right:1px solid #c5d3e0;padding:.3em;font-size:13px;min-width:0}#tree ul{list-style:none;margin:0;padding-left:.9em}#tree>ul{padding-left:0}\
#tree li{margin:2px 0}#tree a.item{color:#123;text-decoration:none;padding:0 3px;border-radius:2px}#tree a.item[aria-selected=true]{background:#cfe3f7;font-weight:bold}.folder{color:#555}\
#panes{padding:.3em .6em;min-width:0}.pane{margin-bottom:.6em}.pane h3{font-size:14px;margin:.2em 0 .4em}.pane .kind{color:#555;font-weight:normal}.js .tree-hint{margin-top:0}\
.owner{margin:.2em 0}.js .move .choice{display:none}\
#event-log{border-top:1px solid #c5d3e0;margin:0!important;padding:.2em .5em}#event-log h3{font-size:13px;margin:.1em 0}\
.log-scroll{max-height:190px;overflow:auto}#events{width:100%;font-size:12px}#events th{background:#eef2f6;position:sticky;top:0}#events td{vertical-align:top;border-bottom:1px solid #eee}#events td:nth-child(-n+3){white-space:nowrap}\
.sev{display:inline-block;padding:0 .4em;border-radius:3px;font-size:11px;white-space:nowrap}.sev-error .sev{background:#c62828;color:#fff}.sev-warning .sev{background:#f9a825;color:#000}.sev-info .sev{background:#e3eaf2;color:#234}\
.desktops{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:.6em;padding:0 .6em .6em}\
.desktop{min-width:0;background:#3a6ea5;border-radius:4px;padding:0 0 .2em}.desktop>.titlebar{background:#1d2a38;border-radius:4px 4px 0 0}.windows{padding:.5em .5em 0}\
.taskbar{background:#1d2a38;padding:3px 6px;margin:0 .2em}\
table{border-collapse:collapse;max-width:100%}td,th{padding:1px 4px;text-align:left}\
caption{text-align:left;font-weight:bold}.st{display:inline-block;padding:0 .4em;border-radius:3px;font-size:12px;white-space:nowrap}\
.st-ok{background:#2e7d32;color:#fff}.st-error{background:#c62828;color:#fff}.st-suspend{background:#f9a825;color:#000}\
.st-pending{background:#1565c0;color:#fff}.st-off{background:#9e9e9e;color:#fff}\
.prompt{border:1px solid #2a5680;background:#f0f0f0;box-shadow:2px 2px 6px rgba(0,0,0,.35);padding:.5em;margin:.4em 0}.prompt p{margin:.2em 0 .5em}\
.buttons{display:flex;justify-content:flex-end;gap:.5em}.buttons button{min-width:6em}progress{width:100%}\
dialog.dialog{border:1px solid #2a5680;padding:0;min-width:320px;max-width:90vw;box-shadow:3px 3px 12px rgba(0,0,0,.4)}dialog.dialog>p,dialog.dialog>fieldset{margin:.6em .8em}dialog.dialog>.buttons{padding:.5em .8em}dialog::backdrop{background:rgba(0,0,0,.3)}\
fieldset label{display:block;margin:.2em 0}\
#context-menu{position:fixed;z-index:10;background:#fff;border:1px solid #7f9db9;box-shadow:2px 2px 8px rgba(0,0,0,.35);min-width:200px;padding:2px 0}#context-menu p{margin:.3em .8em;color:#555}\
#context-menu button{display:block;width:100%;text-align:left;border:0;background:none;padding:4px 14px}#context-menu button:hover,#context-menu button:focus{background:#cfe3f7}\
.outcome{margin:.4em .8em;padding:.4em;background:#fff8e1;border:1px solid #f9a825}\
button{font:inherit;padding:1px 6px;white-space:nowrap}button:focus,a:focus,select:focus,input:focus{outline:3px solid #ff9800}\
input[name=file]{width:100%;max-width:24em}select{max-width:100%}\
.components{font-size:12px;color:#444}main.landing{max-width:700px;margin:2em auto;background:#fff;padding:1em 2em}";

/// The script (see the module documentation).
pub const SCRIPT: &str = r#"(function(){
var d=document,root=d.documentElement;root.classList.add('js');
var items=[].slice.call(d.querySelectorAll('#tree a.item'));
var key='pane:'+location.pathname;
function select(id){
  var pane=d.getElementById(id);if(!pane)return;
  d.querySelectorAll('#panes .pane').forEach(function(p){p.hidden=p!==pane;});
  items.forEach(function(a){a.setAttribute('aria-selected',a.dataset.pane===id?'true':'false');});
  try{sessionStorage.setItem(key,id);}catch(e){}
}
var saved=null;try{saved=sessionStorage.getItem(key);}catch(e){}
select(saved&&d.getElementById(saved)?saved:'pane-cluster');
var menu=d.getElementById('context-menu'),opener=null;
function closeMenu(refocus){menu.hidden=true;menu.textContent='';if(refocus&&opener)opener.focus();opener=null;}
function openMenu(a,x,y){
  closeMenu(false);opener=a;
  (a.dataset.menu||'').split(' ').filter(Boolean).forEach(function(id){
    var b=d.getElementById(id);if(!b)return;
    var m=d.createElement('button');m.type='button';m.setAttribute('role','menuitem');m.id='menu-'+id;m.textContent=b.textContent;
    m.addEventListener('click',function(){closeMenu(false);b.click();});
    menu.appendChild(m);
  });
  if(!menu.children.length){var p=d.createElement('p');p.textContent=d.getElementById('context-empty').textContent;menu.appendChild(p);}
  menu.hidden=false;
  menu.style.left=Math.max(0,Math.min(x,innerWidth-menu.offsetWidth-4))+'px';
  menu.style.top=Math.max(0,Math.min(y,innerHeight-menu.offsetHeight-4))+'px';
  var first=menu.querySelector('button');if(first)first.focus();
}
items.forEach(function(a,i){
  a.addEventListener('click',function(e){e.preventDefault();select(a.dataset.pane);});
  a.addEventListener('contextmenu',function(e){e.preventDefault();select(a.dataset.pane);openMenu(a,e.clientX,e.clientY);});
  a.addEventListener('keydown',function(e){
    if(e.key==='ContextMenu'||(e.shiftKey&&e.key==='F10')){e.preventDefault();select(a.dataset.pane);var r=a.getBoundingClientRect();openMenu(a,r.left,r.bottom);}
    else if(e.key==='ArrowDown'&&items[i+1]){e.preventDefault();items[i+1].focus();}
    else if(e.key==='ArrowUp'&&items[i-1]){e.preventDefault();items[i-1].focus();}
  });
});
menu.addEventListener('keydown',function(e){
  var all=[].slice.call(menu.querySelectorAll('button')),i=all.indexOf(d.activeElement);
  if(e.key==='Escape'||e.key==='Tab'){e.preventDefault();closeMenu(true);}
  else if(e.key==='ArrowDown'&&all.length){e.preventDefault();all[(i+1)%all.length].focus();}
  else if(e.key==='ArrowUp'&&all.length){e.preventDefault();all[(i-1+all.length)%all.length].focus();}
});
d.addEventListener('click',function(e){if(!menu.hidden&&!menu.contains(e.target))closeMenu(false);});
var ask=d.getElementById('confirm-dialog'),pending=null;
function go(form,button){form.dataset.confirmed='1';form.requestSubmit(button);}
d.addEventListener('submit',function(e){
  var form=e.target,button=e.submitter;
  if(!button||form.dataset.confirmed)return;
  if(button.dataset.confirm){
    e.preventDefault();pending=[form,button];
    d.getElementById('confirm-message').textContent=button.dataset.confirm;
    ask.showModal();d.getElementById('confirm-ok').focus();
  }else if(button.dataset.moveDialog){
    e.preventDefault();var dialog=d.getElementById(button.dataset.moveDialog);dialog.showModal();
    var choice=dialog.querySelector('input:checked')||dialog.querySelector('input');if(choice)choice.focus();
  }
});
d.getElementById('confirm-ok').addEventListener('click',function(){var p=pending;pending=null;ask.close();if(p)go(p[0],p[1]);});
d.getElementById('confirm-cancel').addEventListener('click',function(){pending=null;ask.close();});
ask.addEventListener('close',function(){pending=null;});
d.querySelectorAll('dialog[data-form]').forEach(function(dialog){
  var form=d.getElementById(dialog.dataset.form);
  dialog.querySelector('button.ok').addEventListener('click',function(){
    var choice=dialog.querySelector('input:checked');if(!choice)return;
    form.querySelector('select[name=to]').value=choice.value;dialog.close();go(form,form.querySelector('button[type=submit]'));
  });
  dialog.querySelector('button.cancel').addEventListener('click',function(){dialog.close();});
});
})();"#;
